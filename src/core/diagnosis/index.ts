export { diagnose, hasErrors, type Diagnosis, type RoleMatrixRow } from './diagnose';
export { type DiagnoseInput, type DiagnoseOptions } from './observe';
export { type Finding, type Fix, type Severity, quote } from './finding';
export { renderMarkdownReport } from './report';
