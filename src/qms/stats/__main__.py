import sys

from qms.stats.cli import main

sys.exit(main())
