from lod.cli import main

raise SystemExit(main())
