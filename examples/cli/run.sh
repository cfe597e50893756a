# Start the services, run the command with CLEANROOM_<NAME>_URL set, then stop everything.
# Exits with the command's code (1 if a service failed to start or died during the run).
npx cleanroom run -- node smoke.mjs
