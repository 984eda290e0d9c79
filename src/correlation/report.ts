/** The correlation report for the CLI and the API: built from the store, as JSON or as flat CSV rows. */
import type { CorrelationReport } from '../queries/correlation-report.js';
import type { GraphStore } from '../store/types.js';

export {
  CORRELATION_CSV_COLUMNS,
  type CorrelationReport,
  type CsvRow,
  correlationReportRows,
  type DirectoryReport,
} from '../queries/correlation-report.js';

export function buildCorrelationReport(store: GraphStore): Promise<CorrelationReport> {
  return store.correlationReport();
}
