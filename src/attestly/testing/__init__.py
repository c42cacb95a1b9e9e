"""Test support shared by Attestly's tests and by third-party integration authors."""
