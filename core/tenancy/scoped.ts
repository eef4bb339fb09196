/**
 * Ports bound to one tenant. Whatever serves one tenant (a workflow step, an API request) asks
 * `forTenant(id)` for its ports instead of holding ports that can address every tenant; the wiring
 * layer decides what binding means (tenant-scoped credentials in AWS, tenant-bound clients locally).
 */
export interface TenantScoped<D> {
  forTenant(tenantId: string): D;
}
