//! What AWS answers a request whose Signature Version 4 does not verify (`serve --auth sigv4`, spec §1.2).
//!
//! One fault gets different answers from different services. EC2 answers a wrong signature and an unknown access
//! key alike, with `AuthFailure` (HTTP 401), and a stale request with `RequestExpired`; STS names each case —
//! `SignatureDoesNotMatch` and `InvalidClientTokenId` (HTTP 403), and "Signature expired" for a stale request. The
//! verification itself (canonical request, HMAC, clock) is `localvpc-api`'s; this module only decides the answer,
//! so the table of codes stays beside the other AWS rules and in the error snapshot.

use crate::Ec2Error;

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Neither an `Authorization` header nor presigned query parameters.
    Missing,
    /// A signature with a part missing or malformed; the text says which, as AWS words it.
    Incomplete(String),
    /// The access key is not one the server was given.
    UnknownAccessKey,
    /// The signature, or the body hash it covers, does not match the request.
    SignatureMismatch,
    /// Signed too long ago (beyond the 15-minute window), or a presigned URL past its `X-Amz-Expires`.
    Expired(Window),
    /// Signed more than 15 minutes in the future.
    NotYetCurrent(Window),
}

/// The times of a request outside its validity window, each as SigV4 writes them (`20260101T120000Z`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The request's `X-Amz-Date`.
    pub signed: String,
    /// The server's time.
    pub now: String,
    /// The edge the request is past: `now` minus the allowance (expired) or plus it (not yet current).
    pub bound: String,
    /// The allowance in seconds: 900 for the clock-skew window, `X-Amz-Expires` for a presigned URL.
    pub allowance_seconds: u64,
}

/// The service whose codes (and error XML) a refusal takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// EC2, and localvpc's own JSON and admin endpoints (whose clients act for EC2 users).
    Ec2,
    /// STS (`GetCallerIdentity`).
    Sts,
}

/// The code of every error [`refusal`] gives: what a client reads to tell a failed authentication from a refused
/// request.
pub const REFUSAL_CODES: [&str; 6] = [
    "MissingAuthenticationToken",
    "IncompleteSignature",
    "AuthFailure",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "RequestExpired",
];

/// The error AWS returns for `rejection` from `service`.
pub fn refusal(rejection: &Rejection, service: Service) -> Ec2Error {
    match (rejection, service) {
        // ASSUMPTION (spec §1.2 [I]: no recorded answer of EC2 or STS to a request with no authentication at
        // all): both answer with the common-errors table's `MissingAuthenticationToken`.
        (Rejection::Missing, _) => Ec2Error::MissingAuthenticationToken,
        (Rejection::Incomplete(message), _) => Ec2Error::IncompleteSignature(message.clone()),
        // Spec §1.2 [O]; moto's IAM-checking mode answers EC2 the same way (`moto/iam/access_control.py`).
        (Rejection::UnknownAccessKey | Rejection::SignatureMismatch, Service::Ec2) => Ec2Error::AuthFailure,
        (Rejection::UnknownAccessKey, Service::Sts) => Ec2Error::InvalidClientTokenId,
        (Rejection::SignatureMismatch, Service::Sts) => Ec2Error::SignatureDoesNotMatch(SIGNATURE_MISMATCH.into()),
        // EC2's common errors: "more than 15 minutes after the date stamp … or after the request expiration date
        // (such as for pre-signed URLs), or … more than 15 minutes in the future" are all `RequestExpired`.
        (Rejection::Expired(_) | Rejection::NotYetCurrent(_), Service::Ec2) => Ec2Error::RequestExpired,
        (Rejection::Expired(window), Service::Sts) => Ec2Error::SignatureDoesNotMatch(format!(
            "Signature expired: {} is now earlier than {} ({} - {}.)",
            window.signed,
            window.bound,
            window.now,
            allowance(window.allowance_seconds)
        )),
        (Rejection::NotYetCurrent(window), Service::Sts) => Ec2Error::SignatureDoesNotMatch(format!(
            "Signature not yet current: {} is still later than {} ({} + {}.)",
            window.signed,
            window.bound,
            window.now,
            allowance(window.allowance_seconds)
        )),
    }
}

/// STS's text for a signature that does not match [O: boto/boto3#756].
const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. \
     Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// "15 min" as STS writes the skew window [O: convox/rack#235 shows "- 5 min." for a 5-minute service]; other
/// allowances (a presigned URL's expiry) in seconds. ASSUMPTION (spec §1.2 [I]): the seconds form.
fn allowance(seconds: u64) -> String {
    if seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} sec")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(allowance_seconds: u64) -> Window {
        Window {
            signed: "20260101T120000Z".into(),
            now: "20260101T122000Z".into(),
            bound: "20260101T120500Z".into(),
            allowance_seconds,
        }
    }

    #[test]
    fn ec2_folds_key_and_signature_faults_into_auth_failure() {
        assert_eq!(refusal(&Rejection::UnknownAccessKey, Service::Ec2), Ec2Error::AuthFailure);
        assert_eq!(refusal(&Rejection::SignatureMismatch, Service::Ec2), Ec2Error::AuthFailure);
        assert_eq!(refusal(&Rejection::Expired(window(900)), Service::Ec2), Ec2Error::RequestExpired);
        assert_eq!(refusal(&Rejection::NotYetCurrent(window(900)), Service::Ec2), Ec2Error::RequestExpired);
        assert_eq!(refusal(&Rejection::UnknownAccessKey, Service::Ec2).http_status(), 401);
    }

    #[test]
    fn sts_names_each_fault() {
        assert_eq!(refusal(&Rejection::UnknownAccessKey, Service::Sts), Ec2Error::InvalidClientTokenId);
        let mismatch = refusal(&Rejection::SignatureMismatch, Service::Sts);
        assert_eq!((mismatch.code(), mismatch.http_status()), ("SignatureDoesNotMatch", 403));
        assert!(mismatch.to_string().starts_with("The request signature we calculated does not match"));
        assert_eq!(
            refusal(&Rejection::Expired(window(900)), Service::Sts).to_string(),
            "Signature expired: 20260101T120000Z is now earlier than 20260101T120500Z (20260101T122000Z - 15 min.)"
        );
        assert_eq!(
            refusal(&Rejection::NotYetCurrent(window(900)), Service::Sts).to_string(),
            "Signature not yet current: 20260101T120000Z is still later than 20260101T120500Z \
             (20260101T122000Z + 15 min.)"
        );
        assert!(refusal(&Rejection::Expired(window(5)), Service::Sts).to_string().ends_with("- 5 sec.)"));
    }

    #[test]
    fn every_refusal_has_one_of_the_refusal_codes() {
        let rejections = [
            Rejection::Missing,
            Rejection::Incomplete("no Signature".into()),
            Rejection::UnknownAccessKey,
            Rejection::SignatureMismatch,
            Rejection::Expired(window(900)),
            Rejection::NotYetCurrent(window(900)),
        ];
        let mut seen = Vec::new();
        for rejection in &rejections {
            for service in [Service::Ec2, Service::Sts] {
                let code = refusal(rejection, service).code();
                assert!(REFUSAL_CODES.contains(&code), "{code}");
                seen.push(code);
            }
        }
        assert!(REFUSAL_CODES.iter().all(|code| seen.contains(code)), "a listed code no refusal gives");
    }

    #[test]
    fn missing_and_incomplete_are_the_same_everywhere() {
        for service in [Service::Ec2, Service::Sts] {
            let missing = refusal(&Rejection::Missing, service);
            assert_eq!((missing.code(), missing.http_status()), ("MissingAuthenticationToken", 403));
            let incomplete = refusal(&Rejection::Incomplete("no Signature".into()), service);
            assert_eq!((incomplete.code(), incomplete.http_status()), ("IncompleteSignature", 400));
            assert_eq!(incomplete.to_string(), "no Signature");
        }
    }
}
