// http.*: not written yet. The plan (see docs/benchmarks.md): one Nest app in a child process
// with a constant route, @nestjs/cache-manager's CacheInterceptor and our HttpCacheInterceptor,
// driven by autocannon from this process; plus 50 concurrent cold misses → handler calls.
import { emit, skip } from '../lib/harness.mjs';

const skipped = [];
skip(skipped, 'http', 'the HTTP group is not written yet');
emit([], skipped);
