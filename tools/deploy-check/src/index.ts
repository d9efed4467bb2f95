export { queries } from './observability-files.js';
export { exposedFamilies, familyOf, metricNames, PROMETHEUS_SERIES } from './promql.js';
