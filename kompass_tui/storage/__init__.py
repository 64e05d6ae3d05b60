"""Storage: the tables, opening the database, and the operations on records and accounts."""
