"""Pure statistics for the analysis views: rises.py (what rose or fell this month), distinctive.py (words that set two sides apart), comention.py (who appears with whom)"""
