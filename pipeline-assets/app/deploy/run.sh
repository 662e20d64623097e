#!/bin/sh
# Amazon Linux 2023 installs Node.js 22 as node-22 (with `node` only if alternatives point at it): use whichever exists.
NODE_BIN=$(command -v node-22 || command -v node)
exec "$NODE_BIN" /opt/golden-ami-app/server.js
