import { runDeployTask } from '../../shared/deploy/task';

void runDeployTask();
