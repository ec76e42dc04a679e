"""pianchai.nlp: judges 偏差原因分析及改进措施 texts — is there a real cause, a concrete measure?

Entry point for other packages: `nlp.judge.load_judge()`. Heavy libraries (spaCy, scikit-learn,
skops) are imported only by the modules that need them, never at package import.
"""
