from reetool.cli import main

main()
