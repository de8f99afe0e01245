//! Project keys (DSNs).

use super::id_string;
use serde::Deserialize;

/// A project's client key: the DSN an SDK sends events to.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectKey {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether events sent with it are accepted.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// The DSNs.
    #[serde(default)]
    pub dsn: Option<KeyDsn>,
    /// When it was created.
    #[serde(default)]
    pub date_created: Option<String>,
}

/// A key's DSNs.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyDsn {
    /// The DSN SDKs take.
    #[serde(default)]
    pub public: Option<String>,
    /// The CSP report endpoint.
    #[serde(default)]
    pub csp: Option<String>,
}
