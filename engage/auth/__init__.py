"""Staff sign-in and who may use which page."""
