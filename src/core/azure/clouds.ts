/**
 * Azure clouds for the management plane: the Resource Manager endpoint, the scope to ask Entra for, the APIM
 * gateway domain and the portal. Public, China (21Vianet) and US Government.
 */
export type AzureCloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';

export interface AzureCloud {
  readonly name: AzureCloudName;
  /** Resource Manager endpoint, no trailing slash. */
  readonly resourceManager: string;
  /** The scope for a Resource Manager token. */
  readonly armScope: string;
  /** Default APIM gateway host suffix: `<service>.<gatewayDomain>`. */
  readonly gatewayDomain: string;
  readonly portal: string;
}

export const AZURE_CLOUDS: Readonly<Record<AzureCloudName, AzureCloud>> = {
  AzureCloud: {
    name: 'AzureCloud',
    resourceManager: 'https://management.azure.com',
    armScope: 'https://management.azure.com/.default',
    gatewayDomain: 'azure-api.net',
    portal: 'https://portal.azure.com',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManager: 'https://management.chinacloudapi.cn',
    armScope: 'https://management.chinacloudapi.cn/.default',
    gatewayDomain: 'azure-api.cn',
    portal: 'https://portal.azure.cn',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManager: 'https://management.usgovcloudapi.net',
    armScope: 'https://management.usgovcloudapi.net/.default',
    gatewayDomain: 'azure-api.us',
    portal: 'https://portal.azure.us',
  },
};

export function isAzureCloudName(value: unknown): value is AzureCloudName {
  return typeof value === 'string' && Object.hasOwn(AZURE_CLOUDS, value);
}

/** The cloud, or a public `AzureCloud` fallback for an unknown name. */
export function azureCloud(name: string | undefined): AzureCloud {
  return isAzureCloudName(name) ? AZURE_CLOUDS[name] : AZURE_CLOUDS.AzureCloud;
}

/** The cloud whose default gateway domain `host` belongs to (custom domains give undefined). */
export function cloudOfGatewayHost(host: string): AzureCloud | undefined {
  const h = host.toLowerCase();
  return Object.values(AZURE_CLOUDS).find((c) => h.endsWith(`.${c.gatewayDomain}`));
}

/**
 * The Resource Manager endpoint to use: the cloud's, unless an override is given (tests point it at the sandbox's
 * emulator). An override must be https, or http on loopback only.
 */
export function resourceManagerEndpoint(cloud: AzureCloud, override?: string): string {
  const raw = override?.trim();
  if (!raw) return cloud.resourceManager;
  const url = new URL(raw);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`The Resource Manager endpoint must be https (http only on loopback): ${url.origin}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
