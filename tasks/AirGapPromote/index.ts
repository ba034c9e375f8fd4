import { runPromoteTask } from '../../shared/promote/task';

void runPromoteTask();
