export { ServiceProcess } from './service-process.js';
export { uniqueName, waitFor } from './wait.js';
