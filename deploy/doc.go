// Package deploy holds the tests of orderflow's deployment files at the
// repository root: docker-compose.yml and the Dockerfile it builds. No
// Docker engine is needed; the compose file is loaded with compose-go, the
// library docker compose itself uses.
package deploy
