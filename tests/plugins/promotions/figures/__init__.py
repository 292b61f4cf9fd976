"""A stand-in for logistics: answers shipped tonnes and amount from a table the test fills."""
