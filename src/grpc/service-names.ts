/** The cortex.v1 services (proto/cortex/v1), shared by the server, the health table and the clients. */
export const SERVICE_NAMES = ["cortex.v1.ModelService", "cortex.v1.JobService", "cortex.v1.InferenceService"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
