from qms.cli import main

main()
