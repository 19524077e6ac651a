"""Forms, one module per flow. Forms validate and normalise input; they never touch the database."""
