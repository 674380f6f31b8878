"""People and the organisation: accounts and passwords, the first administrator, grades, imports of the
unit tree and staff list, and the unit tree itself. They act on people; showing people is done through
services.visibility."""
