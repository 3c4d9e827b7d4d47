package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// exportRoutes registers the downloads, each as .csv and .xlsx: the queue
// (every staff member, their queue's filter), the statistics (supervisors and
// up, like the page) and the audit log (admins only).
func (s *Server) exportRoutes(mux *http.ServeMux) {
	for _, f := range []exportFormat{exportCSV, exportXLSX} {
		ext := "." + string(f)
		mux.Handle("GET /console/cases/export"+ext, s.page(storage.RoleMediator, s.exportQueue(f)))
		mux.Handle("GET /console/reports/export"+ext, s.page(storage.RoleSupervisor, s.exportReport(f)))
		mux.Handle("GET /console/audit/export"+ext, s.page(storage.RoleAdmin, s.exportAuditLog(f)))
	}
}
