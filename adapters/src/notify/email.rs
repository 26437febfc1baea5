//! E-mail through SMTP (lettre): STARTTLS in production, plain on loopback for tests.

use hoso_engine::case::Notification;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::worker::{Deliverer, Delivery, DeliveryError};
use hoso_engine::ports::OutboxEntry;

/// How to reach the mail server.
#[derive(Clone)]
pub struct EmailSettings {
    /// SMTP host.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// STARTTLS (production); off only for a server on loopback.
    pub starttls: bool,
    /// Login, if the server wants one.
    pub credentials: Option<(String, crate::access::Secret)>,
    /// The sender, e.g. "Bộ phận Một cửa <motcua@example.gov.vn>".
    pub from: String,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("starttls", &self.starttls)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Sends notifications by e-mail.
pub struct EmailDeliverer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl EmailDeliverer {
    /// A deliverer for these settings.
    pub fn new(settings: &EmailSettings) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|error| format!("--smtp-from {:?}: {error}", settings.from))?;
        let mut builder = if settings.starttls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                .map_err(|error| format!("SMTP {}: {error}", settings.host))?
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        };
        builder = builder
            .port(settings.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some((user, password)) = &settings.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

impl Deliverer for EmailDeliverer {
    fn deliver<'a>(&'a self, entry: &'a OutboxEntry) -> Delivery<'a> {
        Box::pin(async move {
            let notification: Notification = serde_json::from_value(entry.payload.clone())
                .map_err(|error| {
                    DeliveryError::permanent(format!("not a notification: {error}"))
                })?;
            let Some(to) = &notification.email else {
                return Err(DeliveryError::permanent(
                    "the applicant gave no e-mail address",
                ));
            };
            let to: Mailbox = to
                .parse()
                .map_err(|error| DeliveryError::permanent(format!("bad address: {error}")))?;
            let rendered = super::render(&notification);
            let message = lettre::Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(rendered.subject)
                // The idempotency key as Message-ID lets mail systems drop a repeated delivery.
                .message_id(Some(format!("<{}@hoso>", entry.idempotency_key)))
                .header(ContentType::TEXT_PLAIN)
                .body(rendered.body)
                .map_err(|error| {
                    DeliveryError::permanent(format!("cannot build the message: {error}"))
                })?;
            match self.transport.send(message).await {
                Ok(response) => Ok(response.message().next().unwrap_or("accepted").to_owned()),
                Err(error) if error.is_permanent() => {
                    Err(DeliveryError::permanent(error.to_string()))
                }
                Err(error) => Err(DeliveryError::retryable(error.to_string())),
            }
        })
    }
}
