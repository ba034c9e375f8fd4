import { runSyncTagsTask } from '../../shared/synctags/task';

void runSyncTagsTask();
