"""secure"""
