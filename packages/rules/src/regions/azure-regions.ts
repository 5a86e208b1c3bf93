/**
 * Public Azure regions as `az account list-locations` reports them (physical regions), from
 * Microsoft's region list of 2026. `geographyGroup` is the Locations API's `geographyGroup`;
 * `dataZone` is the Azure OpenAI data zone the region belongs to: `EU` for regions in EU member
 * states, `US` for regions in the United States, null elsewhere.
 */

/** An Azure OpenAI data zone: prompts of a data-zone deployment stay within its member regions. */
export type DataZone = "EU" | "US";

/** One physical Azure region. */
export interface AzureRegion {
  /** Programmatic name, e.g. `swedencentral`. */
  name: string;
  /** Display name, e.g. `Sweden Central`. */
  displayName: string;
  /** Geography (country or area), e.g. `Sweden`, `Europe`, `United States`. */
  geography: string;
  /** Geography group, e.g. `Europe`, `US`, `Asia Pacific`. */
  geographyGroup: string;
  /** Azure OpenAI data zone, or null when the region belongs to none. */
  dataZone: DataZone | null;
}

function region(
  name: string,
  displayName: string,
  geography: string,
  geographyGroup: string,
  dataZone: DataZone | null = null,
): AzureRegion {
  return { name, displayName, geography, geographyGroup, dataZone };
}

export const AZURE_REGIONS: readonly AzureRegion[] = [
  region("southafricanorth", "South Africa North", "South Africa", "Africa"),
  region("southafricawest", "South Africa West", "South Africa", "Africa"),

  region("eastasia", "East Asia", "Asia Pacific", "Asia Pacific"),
  region("southeastasia", "Southeast Asia", "Asia Pacific", "Asia Pacific"),
  region("australiacentral", "Australia Central", "Australia", "Asia Pacific"),
  region("australiacentral2", "Australia Central 2", "Australia", "Asia Pacific"),
  region("australiaeast", "Australia East", "Australia", "Asia Pacific"),
  region("australiasoutheast", "Australia Southeast", "Australia", "Asia Pacific"),
  region("centralindia", "Central India", "India", "Asia Pacific"),
  region("indiasouthcentral", "India South Central", "India", "Asia Pacific"),
  region("jioindiacentral", "Jio India Central", "India", "Asia Pacific"),
  region("jioindiawest", "Jio India West", "India", "Asia Pacific"),
  region("southindia", "South India", "India", "Asia Pacific"),
  region("westindia", "West India", "India", "Asia Pacific"),
  region("indonesiacentral", "Indonesia Central", "Indonesia", "Asia Pacific"),
  region("japaneast", "Japan East", "Japan", "Asia Pacific"),
  region("japanwest", "Japan West", "Japan", "Asia Pacific"),
  region("koreacentral", "Korea Central", "Korea", "Asia Pacific"),
  region("koreasouth", "Korea South", "Korea", "Asia Pacific"),
  region("malaysiawest", "Malaysia West", "Malaysia", "Asia Pacific"),
  region("newzealandnorth", "New Zealand North", "New Zealand", "Asia Pacific"),

  region("canadacentral", "Canada Central", "Canada", "Canada"),
  region("canadaeast", "Canada East", "Canada", "Canada"),

  region("austriaeast", "Austria East", "Austria", "Europe", "EU"),
  region("belgiumcentral", "Belgium Central", "Belgium", "Europe", "EU"),
  region("denmarkeast", "Denmark East", "Denmark", "Europe", "EU"),
  region("northeurope", "North Europe", "Europe", "Europe", "EU"),
  region("westeurope", "West Europe", "Europe", "Europe", "EU"),
  region("francecentral", "France Central", "France", "Europe", "EU"),
  region("francesouth", "France South", "France", "Europe", "EU"),
  region("germanynorth", "Germany North", "Germany", "Europe", "EU"),
  region("germanywestcentral", "Germany West Central", "Germany", "Europe", "EU"),
  region("italynorth", "Italy North", "Italy", "Europe", "EU"),
  region("norwayeast", "Norway East", "Norway", "Europe"),
  region("norwaywest", "Norway West", "Norway", "Europe"),
  region("polandcentral", "Poland Central", "Poland", "Europe", "EU"),
  region("spaincentral", "Spain Central", "Spain", "Europe", "EU"),
  region("swedencentral", "Sweden Central", "Sweden", "Europe", "EU"),
  region("swedensouth", "Sweden South", "Sweden", "Europe", "EU"),
  region("switzerlandnorth", "Switzerland North", "Switzerland", "Europe"),
  region("switzerlandwest", "Switzerland West", "Switzerland", "Europe"),

  region("mexicocentral", "Mexico Central", "Mexico", "Mexico"),

  region("israelcentral", "Israel Central", "Israel", "Middle East"),
  region("qatarcentral", "Qatar Central", "Qatar", "Middle East"),
  region("uaecentral", "UAE Central", "UAE", "Middle East"),
  region("uaenorth", "UAE North", "UAE", "Middle East"),

  region("brazilsouth", "Brazil South", "Brazil", "South America"),
  region("brazilsoutheast", "Brazil Southeast", "Brazil", "South America"),
  region("chilecentral", "Chile Central", "Chile", "South America"),

  region("uksouth", "UK South", "United Kingdom", "UK"),
  region("ukwest", "UK West", "United Kingdom", "UK"),

  region("centralus", "Central US", "United States", "US", "US"),
  region("eastus", "East US", "United States", "US", "US"),
  region("eastus2", "East US 2", "United States", "US", "US"),
  region("northcentralus", "North Central US", "United States", "US", "US"),
  region("southcentralus", "South Central US", "United States", "US", "US"),
  region("westcentralus", "West Central US", "United States", "US", "US"),
  region("westus", "West US", "United States", "US", "US"),
  region("westus2", "West US 2", "United States", "US", "US"),
  region("westus3", "West US 3", "United States", "US", "US"),
  // Limitation: the early-access (canary) regions are placed in no data zone because Azure
  // OpenAI does not document them as data-zone members; a data-zone deployment there is
  // judged as having no zone.
  region("centraluseuap", "Central US EUAP", "United States", "US"),
  region("eastus2euap", "East US 2 EUAP", "United States", "US"),
];

/**
 * A logical Azure location that stands for a geography (`europe`, `unitedstates`, `asia`):
 * resources placed there may live in any region the geography covers.
 */
export interface AzureGeography {
  /** Programmatic name, e.g. `europe`. */
  name: string;
  displayName: string;
  /** Which physical regions the geography covers. */
  covers: { geography: readonly string[] } | { geographyGroup: string } | { regions: string[] };
}

export const AZURE_GEOGRAPHIES: readonly AzureGeography[] = [
  { name: "asia", displayName: "Asia", covers: { geography: ["Asia Pacific"] } },
  { name: "asiapacific", displayName: "Asia Pacific", covers: { geographyGroup: "Asia Pacific" } },
  { name: "australia", displayName: "Australia", covers: { geography: ["Australia"] } },
  { name: "brazil", displayName: "Brazil", covers: { geography: ["Brazil"] } },
  { name: "canada", displayName: "Canada", covers: { geography: ["Canada"] } },
  { name: "europe", displayName: "Europe", covers: { geographyGroup: "Europe" } },
  { name: "france", displayName: "France", covers: { geography: ["France"] } },
  { name: "germany", displayName: "Germany", covers: { geography: ["Germany"] } },
  { name: "india", displayName: "India", covers: { geography: ["India"] } },
  { name: "israel", displayName: "Israel", covers: { geography: ["Israel"] } },
  { name: "italy", displayName: "Italy", covers: { geography: ["Italy"] } },
  { name: "japan", displayName: "Japan", covers: { geography: ["Japan"] } },
  { name: "korea", displayName: "Korea", covers: { geography: ["Korea"] } },
  { name: "mexico", displayName: "Mexico", covers: { geography: ["Mexico"] } },
  { name: "newzealand", displayName: "New Zealand", covers: { geography: ["New Zealand"] } },
  { name: "norway", displayName: "Norway", covers: { geography: ["Norway"] } },
  { name: "poland", displayName: "Poland", covers: { geography: ["Poland"] } },
  { name: "qatar", displayName: "Qatar", covers: { geography: ["Qatar"] } },
  { name: "singapore", displayName: "Singapore", covers: { regions: ["southeastasia"] } },
  { name: "southafrica", displayName: "South Africa", covers: { geography: ["South Africa"] } },
  { name: "spain", displayName: "Spain", covers: { geography: ["Spain"] } },
  { name: "sweden", displayName: "Sweden", covers: { geography: ["Sweden"] } },
  { name: "switzerland", displayName: "Switzerland", covers: { geography: ["Switzerland"] } },
  { name: "uae", displayName: "United Arab Emirates", covers: { geography: ["UAE"] } },
  { name: "uk", displayName: "United Kingdom", covers: { geography: ["United Kingdom"] } },
  { name: "unitedstates", displayName: "United States", covers: { geographyGroup: "US" } },
  {
    name: "unitedstateseuap",
    displayName: "United States EUAP",
    covers: { regions: ["centraluseuap", "eastus2euap"] },
  },
];
