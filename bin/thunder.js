#!/usr/bin/env node
import '../dist/cli/thunder.js';
