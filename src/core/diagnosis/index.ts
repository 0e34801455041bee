export { diagnose, type Diagnosis, type RoleMatrixRow } from './diagnose';
export { type DiagnoseInput, type DiagnoseOptions } from './observe';
export { type Finding, type Fix, type Severity, hasErrors, quote } from './finding';
export { renderMarkdownReport } from './report';
export { expectFromPolicy, type DiagnoseExpect } from './policyExpect';
