import Glibc
import LeadsCLI

exit(LeadsMain.run(CommandLine.arguments))
