//! Following the versions other servers commit: `LISTEN` on the store's channel, each notification raising a watch
//! channel. A lost connection (the database restarted) is reconnected, and the version re-read, since
//! notifications sent while nobody listened are gone.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;

use super::{select_version, CHANNEL};

/// Pause before reconnecting to a database that refused.
const RECONNECT_AFTER: Duration = Duration::from_millis(250);

/// Raises `versions` to every version committed, for as long as anyone watches it.
pub(super) async fn follow(pool: PgPool, versions: watch::Sender<u64>) {
    while !versions.is_closed() {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::debug!(%error, "cannot listen for world versions yet");
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::debug!(%error, "cannot listen for world versions yet");
            tokio::time::sleep(RECONNECT_AFTER).await;
            continue;
        }
        catch_up(&pool, &versions).await;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Ok(version) = notification.payload().parse() {
                        raise(&versions, version);
                    }
                }
                // The connection was lost and made again: what was sent in between is lost.
                Ok(None) => catch_up(&pool, &versions).await,
                Err(error) => {
                    tracing::warn!(%error, "lost the database's notifications; reconnecting");
                    tokio::time::sleep(RECONNECT_AFTER).await;
                    break;
                }
            }
            if versions.is_closed() {
                return;
            }
        }
    }
}

async fn catch_up(pool: &PgPool, versions: &watch::Sender<u64>) {
    if let Ok(version) = select_version(pool).await {
        raise(versions, version);
    }
}

/// Versions only grow: a notification overtaken by a later read must not move the watch back.
fn raise(versions: &watch::Sender<u64>, version: u64) {
    versions.send_if_modified(|seen| {
        let newer = version > *seen;
        if newer {
            *seen = version;
        }
        newer
    });
}
