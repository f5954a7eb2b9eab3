import Glibc
import LeadsCLI

exit(LeadsMain.main())
