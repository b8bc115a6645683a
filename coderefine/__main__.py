from coderefine.cli import main

main()
