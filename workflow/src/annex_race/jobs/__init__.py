"""What runs inside a job: a clone job (get, init, push), BABS's tasks, the barrier
they meet at, the guard that cleans up after a job that dies."""
