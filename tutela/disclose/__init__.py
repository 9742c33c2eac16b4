"""disclose"""
