//! Streams over the portal: every account, every role, many accounts' roles at once.
//!
//! No cache here (that is [`super::Listing`]): each stream calls the portal, through the shared
//! [`Pacing`], page by page, and yields items as pages arrive.

use futures_util::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};

use super::{AccountRoles, ListingError};
use crate::Secret;
use crate::pace::Pacing;
use crate::sso::portal::{AccountInfo, MAX_PAGE_SIZE, PortalClient, RoleInfo};

/// How many calls a listing keeps in flight at most, unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Lists accounts and roles straight from the portal, paced and retried.
#[derive(Debug, Clone)]
pub struct PortalLister {
    portal: PortalClient,
    token: Secret,
    pacing: Pacing,
    concurrency: usize,
}

impl PortalLister {
    /// A lister calling `portal` with the access token `token`, through `pacing`, with at most
    /// `concurrency` calls in flight.
    pub fn new(portal: PortalClient, token: Secret, pacing: Pacing, concurrency: usize) -> Self {
        Self {
            portal,
            token,
            pacing,
            concurrency: concurrency.max(1),
        }
    }

    /// The pacing the calls go through (its counters say what they did).
    pub fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// Every account, in the portal's order, yielded page by page (ListAccounts, 100 a page).
    pub fn accounts(&self) -> BoxStream<'static, Result<AccountInfo, ListingError>> {
        let me = self.clone();
        // The state is the next page's token: `Some(None)` the first page, `None` done.
        stream::try_unfold(Some(None::<String>), move |state| {
            let me = me.clone();
            async move {
                let Some(next) = state else {
                    return Ok::<_, ListingError>(None);
                };
                let page = me
                    .pacing
                    .call("ListAccounts", || {
                        me.portal
                            .list_accounts(&me.token, next.as_deref(), MAX_PAGE_SIZE)
                    })
                    .await?;
                Ok(Some((page.items, page.next_token.map(Some))))
            }
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// Every role of one account, yielded page by page (ListAccountRoles, 100 a page).
    pub fn roles(&self, account_id: &str) -> BoxStream<'static, Result<RoleInfo, ListingError>> {
        let me = self.clone();
        let account_id = account_id.to_owned();
        stream::try_unfold(Some(None::<String>), move |state| {
            let me = me.clone();
            let account_id = account_id.clone();
            async move {
                let Some(next) = state else {
                    return Ok::<_, ListingError>(None);
                };
                let page = me
                    .pacing
                    .call("ListAccountRoles", || {
                        me.portal.list_account_roles(
                            &me.token,
                            &account_id,
                            next.as_deref(),
                            MAX_PAGE_SIZE,
                        )
                    })
                    .await?;
                Ok(Some((page.items, page.next_token.map(Some))))
            }
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// The role names of one account, all pages, in the portal's order.
    pub async fn role_names(&self, account_id: &str) -> Result<Vec<String>, ListingError> {
        self.roles(account_id)
            .map_ok(|r| r.role_name)
            .try_collect()
            .await
    }

    /// The roles of each account of `accounts`, listed concurrently (at most `concurrency` at
    /// once) while `accounts` is still arriving, yielded as each account completes (not in the
    /// input order). The first error ends the stream.
    pub fn account_roles<S>(
        &self,
        accounts: S,
    ) -> BoxStream<'static, Result<AccountRoles, ListingError>>
    where
        S: futures_util::Stream<Item = Result<AccountInfo, ListingError>> + Send + 'static,
    {
        let me = self.clone();
        accounts
            .map(move |account| {
                let me = me.clone();
                async move {
                    let account = account?;
                    let roles = me.role_names(&account.account_id).await?;
                    Ok(AccountRoles { account, roles })
                }
            })
            .buffer_unordered(self.concurrency)
            .boxed()
    }

    /// Every account with its roles: [`Self::accounts`] piped into [`Self::account_roles`].
    pub fn all_account_roles(&self) -> BoxStream<'static, Result<AccountRoles, ListingError>> {
        self.account_roles(self.accounts())
    }
}
