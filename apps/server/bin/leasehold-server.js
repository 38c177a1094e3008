#!/usr/bin/env node
// Runs the server from its build (npm run build). A file kept in the source tree, so npm
// links the command at install time, before anything is built.
import '../dist/main.js';
