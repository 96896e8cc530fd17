// Loads every router test into the function registry.
