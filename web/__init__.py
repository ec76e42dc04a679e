"""The drafting page and its JSON API (`pianchai serve`); see web/app.py and web/README.md."""
