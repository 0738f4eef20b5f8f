//! instant-acme over reqwest, so that the ACME tests and the ACME load driver talk plain HTTP to a loopback
//! Signet (instant-acme's own client speaks only HTTPS). The last answer's headers are kept for the tests
//! that look at them: instant-acme's errors carry only the problem document.

use instant_acme::{Account, AccountBuilder, BodyWrapper, BytesResponse, HttpClient};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

pub type LastHeaders = Arc<Mutex<http::HeaderMap>>;

struct Reqwest(reqwest::Client, LastHeaders);

impl HttpClient for Reqwest {
    fn request(
        &self,
        req: http::Request<BodyWrapper<bytes::Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let client = self.0.clone();
        let last = self.1.clone();
        Box::pin(async move {
            use http_body_util::BodyExt;
            let other = |e: reqwest::Error| instant_acme::Error::Other(Box::new(e));
            let (parts, body) = req.into_parts();
            let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let mut r = client.request(parts.method, parts.uri.to_string()).body(body);
            for (name, value) in &parts.headers {
                r = r.header(name, value);
            }
            let response = r.send().await.map_err(other)?;
            let mut builder = http::Response::builder().status(response.status().as_u16());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            *last.lock().unwrap() = response.headers().clone();
            let bytes = response.bytes().await.map_err(other)?;
            let rsp =
                builder.body(http_body_util::Full::new(bytes)).map_err(|e| instant_acme::Error::Other(Box::new(e)))?;
            Ok(BytesResponse::from(rsp))
        })
    }
}

/// An account builder over `http`, keeping each answer's headers in `last`.
pub fn builder_keeping(http: reqwest::Client, last: LastHeaders) -> AccountBuilder {
    Account::builder_with_http(Box::new(Reqwest(http, last)))
}
