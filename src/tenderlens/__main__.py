from tenderlens.cli import main

main()
