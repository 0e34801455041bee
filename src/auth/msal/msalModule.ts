// Entry of dist/msal.js: @azure/msal-node in its own bundle, so activation never parses it (see loadMsal.ts).
export * from '@azure/msal-node';
