"""Services hold the rules and own the transaction; views call exactly one of them."""
