from elearn.cli import main

main()
