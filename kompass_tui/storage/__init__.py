"""Storage: the tables, opening the database, and the operations on records and accounts."""

from typing import Final

#: The environment variable with the database URL, read by ``--db`` and the database code
#: alike; here, where the command line gets it without importing the database code.
DB_ENV_VAR: Final = "KOMPASS_DB"
