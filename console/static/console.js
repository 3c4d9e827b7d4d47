// The console's script. Loaded from a file (the CSP forbids inline script).
"use strict";
