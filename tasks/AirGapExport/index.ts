import { runExportTask } from '../../shared/export/task';

void runExportTask();
