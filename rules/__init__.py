"""The rule engine and its rules. Importing this package loads no NLP."""
