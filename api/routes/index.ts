/** Every route of the API, in the order the OpenAPI document lists them. */
import type { Route } from '../route.ts';
import { auditRoutes } from './audit.ts';
import { authRoutes } from './auth.ts';
import { dossierRoutes } from './dossiers.ts';
import { findingRoutes } from './findings.ts';
import { reportRoutes } from './reports.ts';
import { restoreTestRoutes } from './restore-tests.ts';
import { slaRoutes } from './sla.ts';
import { tenantRoutes } from './tenants.ts';

export const ROUTES: readonly Route[] = [
  ...authRoutes,
  ...tenantRoutes,
  ...findingRoutes,
  ...restoreTestRoutes,
  ...auditRoutes,
  ...reportRoutes,
  ...dossierRoutes,
  ...slaRoutes,
];
