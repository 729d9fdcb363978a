import {
  type Job,
  type JobFilter,
  type JobStore,
  type Page,
  type PageRequest,
  SluiceError,
} from '@sluice/core';

/** Jobs as the API reads them: the router writes them, the executor runs them. */
export class JobWorkflows {
  readonly #jobs: Pick<JobStore, 'get' | 'list'>;

  constructor(jobs: Pick<JobStore, 'get' | 'list'>) {
    this.#jobs = jobs;
  }

  async get(tenantId: string, id: string): Promise<Job> {
    const job = await this.#jobs.get(tenantId, id);
    if (job === null) throw new SluiceError('job_not_found', `Job "${id}" does not exist.`);
    return job;
  }

  /** A page of the tenant's jobs, by trigger, event and status. */
  list(tenantId: string, filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
    return this.#jobs.list(tenantId, filter, page);
  }
}
